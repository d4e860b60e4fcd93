"""A project's records: people, their appointments, projects and equal roles, roles and their pay terms,
sessions and who attended them. The models are in remun/project_records/models.py and the shared rules in remun/project_records/rules.py;
each user action that changes these records is one function in ``operations``."""
