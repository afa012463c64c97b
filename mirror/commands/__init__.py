"""One module per `mirror` subcommand: each defines `HELP`, `configure(parser)` and `run(args)`."""
