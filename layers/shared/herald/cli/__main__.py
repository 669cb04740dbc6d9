from herald.cli.app import main

raise SystemExit(main())
