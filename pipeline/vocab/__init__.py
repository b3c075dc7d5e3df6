"""Shared vocabulary: countries and groupings, instrument types and levels, Malay dates and
names, and the bilingual glossary of the ministry's subjects. Pure data and lookups; every other
capability reads it, it reads none of them."""
