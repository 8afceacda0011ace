"""Local development stack: emulators, functions on functions-framework, stand-ins and the finalize bridge."""
