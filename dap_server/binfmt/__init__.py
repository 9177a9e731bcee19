"""Binary formats shared by the target and program layers (ELF only); no Go or DAP knowledge."""
