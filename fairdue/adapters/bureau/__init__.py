"""Bureau file writers: Metro 2 (fixed-width, 426-byte records), and PBOC- and CAIS-modelled records."""
