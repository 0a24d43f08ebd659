from builder.cli import main

if __name__ == "__main__":  # not when a fresh process (site_step.run_mkdocs) imports it again
    main()
