"""Cost controls: budgets and their alerts."""
