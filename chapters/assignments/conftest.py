# The student versions (generated into student/ by `make student`) stop at their
# `raise NotImplementedError()` stubs by design: nbval runs the solutions only, and
# tests/assignments executes the student versions with its own checks.
collect_ignore = ["student"]
