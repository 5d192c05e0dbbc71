"""Accounts: users, API tokens, login and sessions (models, actions, pages)."""
