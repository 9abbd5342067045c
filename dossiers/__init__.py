"""Procedures: the company space (`dossiers.company`) and titles (`dossiers.title`); dossiers,
instruction, verification, messaging and training arrive as sibling packages.

It sits between `schema/` and `auth/`: it may import auth, tenants and mail.
"""
