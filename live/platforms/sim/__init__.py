"""The platform simulator: TikTok Shop, Shopee, Lazada and Shopify for rehearsals, tests and
the benchmark (`sieulive platform-sim`, docs/platforms.md)."""
