from villagelink.cli import main

main()
