/** Names shared by package.json and the code: keep both in step. */

export const DEBUG_TYPE = 'godap';

/** Python package (import name) that implements the debug adapter. */
export const SERVER_MODULE = 'dap_server';

/** Distribution name on PyPI, used in the install hint. */
export const SERVER_DISTRIBUTION = 'godap';

export const SETTINGS_SECTION = 'godap';

export const PYTHON_EXTENSION_ID = 'ms-python.python';

export const COMMANDS = {
  openCoreDump: 'godap.openCoreDump',
  pickCoreFile: 'godap.pickCoreFile',
  pickProgram: 'godap.pickProgram',
  pickGoProcess: 'godap.pickGoProcess',
} as const;

/** How long `python -c "import dap_server"` may take before we stop waiting and start anyway. */
export const IMPORT_CHECK_TIMEOUT_MS = 8000;

/** How long `python -m dap_server processes --json` may take to list the Go processes. */
export const PROCESS_LIST_TIMEOUT_MS = 20000;

/** How long the Python extension may take to activate and report its interpreter. */
export const PYTHON_EXTENSION_TIMEOUT_MS = 10000;
