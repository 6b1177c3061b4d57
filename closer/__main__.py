"""`python -m closer`: the same command as `closer`."""

from closer.cli.main import main

if __name__ == "__main__":
    main()
