"""Access: roles, API tokens (stored hashed) and the route policy."""
