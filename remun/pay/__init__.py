"""Pay: a role's pay terms and what a session pays, the rate cards and their review,
the fair-fee calculator and mileage. No Flask here."""
