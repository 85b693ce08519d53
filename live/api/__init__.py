"""The HTTP API's machinery, for every area: declaring routes (who may call, query and body
schemas), typed fields, listing helpers and the OpenAPI document. It knows no area: roles are
strings here and the caller is found by the authenticator the app registers."""
