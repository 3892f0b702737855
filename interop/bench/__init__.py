"""scripts/bench-vs-official: mcp-authspec next to the official MCP conformance suite, and
mcp-authspec next to itself (a baseline binary, or the pre-issue keep-alive connections),
measured as paired runs. Python 3.11 standard library."""
