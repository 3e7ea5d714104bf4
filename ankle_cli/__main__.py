from ankle_cli.main import main

main()
