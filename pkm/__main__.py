from pkm.cli import main

main()
