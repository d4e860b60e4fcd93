"""The JSON API under /api/v1 (issue 20): personal access tokens, OpenAPI 3.1, problem details.

Kept free of imports so that ``remun.web.permissions`` can use ``remun.api.auth``
without importing the resources (which use the permissions): the app factory calls
``remun.api.app.init_app``.
"""
