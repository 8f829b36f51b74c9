# term/: the terminator (DESIGN.md section 1).
# the strict incremental HTTP/1.1 response parser (backend side)
core-y += term/h1parse.c
# requests to the built-in responder or a backend (term.h)
core-y += term/term.c term/backend.c
