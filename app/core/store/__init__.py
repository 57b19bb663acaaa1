"""The SQLite file and its history.

Owns: opening the database (WAL, foreign keys, backups before migrations), the ordered schema
migrations, settings, the audit log and the folders GovInspect reads and writes (paths).
May import: errors only (the bottom layer).
"""
