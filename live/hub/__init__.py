"""The realtime hub: websocket channels fanned out through Redis, each process writing to its own
clients. It knows no area: each registers its kind of channel and serves its own endpoints
through `sockets.serve_channel`."""
