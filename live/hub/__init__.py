"""The realtime hub: websocket channels per session and campaign, fanned out through Redis."""
