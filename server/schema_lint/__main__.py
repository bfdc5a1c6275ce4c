from schema_lint.cli import main

raise SystemExit(main())
