"""The mirror terminal app (Textual): the only part of mirror that imports textual."""
