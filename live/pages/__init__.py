"""Server-rendered pages for people: Vietnamese first, English available."""
