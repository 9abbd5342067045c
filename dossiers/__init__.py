"""Procedures: dossiers, documents, titles, instruction, verification, threads (issues to come).

It sits between `schema/` and `auth/`: it may import auth, tenants and mail.
"""
