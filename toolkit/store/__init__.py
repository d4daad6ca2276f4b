"""Store: the SQLModel tables, the database engine and its Alembic migrations, and the queries every
other package uses. Imports nothing else of hardneg."""
