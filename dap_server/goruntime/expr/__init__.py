"""Go expressions typed in watch, hover and the debug console: lexer, parser, evaluator."""
