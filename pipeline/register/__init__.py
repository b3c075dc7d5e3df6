"""The case register: the SOP declared as data (`sop`), the Malaysian calendar (`workdays`),
deadlines (`timeline`), the store and its migrations (`store`), case operations (`cases`), and
the people who act on them (`accounts`, `roles`). It knows nothing of filing or search."""
