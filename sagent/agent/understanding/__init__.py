"""Understanding a question once: the task frame, the words behind it, the rules reader that
fills it offline and the compiler that turns it into a DSL program."""
