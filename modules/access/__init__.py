"""Identity: service roles and the policy-document helpers behind every construct's grant methods."""
