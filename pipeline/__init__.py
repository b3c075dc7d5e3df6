"""IKA Records: the library behind the `ika` command."""
