"""Dossiers: requests for titles, filed by a person, their trusted third party or an
organisation, and instructed by the authority's delegation (docs/DOMAIN.md "Dossiers")."""
