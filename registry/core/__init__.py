"""The core every domain stands on: settings, the database and unit of work, the runtime boundary,
errors, audit, authorisation, the clock and the action registry. Imports no domain package at module level."""
