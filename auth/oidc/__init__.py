"""The portal as an OpenID Connect provider for its applications (cnsa): clients from the
pack, authorization codes with PKCE, the tokens they give, and the claims told."""
