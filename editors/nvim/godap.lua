-- godap.lua: nvim-dap adapter and configurations for Go core dumps and running Go processes,
-- served by godap.
--
-- Copy this file into your config (e.g. ~/.config/nvim/lua/godap.lua) or put the folder on
-- 'runtimepath', then:
--
--   require('godap').setup()                          -- python3 -m dap_server on stdio
--   require('godap').setup({ python = '~/venvs/godap/bin/python' })
--
-- The adapter is registered as `godap` (nvim-dap-go owns `go`), and the configurations are
-- appended to dap.configurations.go, next to nvim-dap-go's.
-- :GodapOpenCore [core] [program] opens a core dump directly.
local M = {}

---@class godap.Options
---@field python? string|fun():string  interpreter that runs `python -m dap_server` (default 'python3')
---@field args? string[]               extra arguments for the server
---@field cwd? string                  directory the server runs in (default: nvim's cwd)
---@field transport? 'stdio'|'tcp'     'tcp' starts `--listen 127.0.0.1:<free port>` and connects to it
---@field adapter_name? string         name under dap.adapters (default 'godap')
---@field filetypes? string[]|false    where to append the configurations (default { 'go' }); false = none
---@field launch_defaults? table       extra attributes for every configuration (e.g. { showRegisters = true })
---@field user_command? boolean        define :GodapOpenCore (default true)
M.defaults = {
  python = 'python3',
  args = {},
  cwd = nil,
  transport = 'stdio',
  adapter_name = 'godap',
  filetypes = { 'go' },
  launch_defaults = {},
  user_command = true,
}

local function resolve_python(python)
  local value = type(python) == 'function' and python() or python
  return vim.fn.expand(value)
end

--- The adapter table (or function) for dap.adapters.godap.
---@param opts godap.Options
function M.adapter(opts)
  opts = vim.tbl_deep_extend('force', M.defaults, opts or {})
  local options = { initialize_timeout_sec = 10, disconnect_timeout_sec = 5, cwd = opts.cwd }
  return function(on_config)
    local python = resolve_python(opts.python)
    if opts.transport == 'tcp' then
      local args = { '-m', 'dap_server', '--listen', '127.0.0.1:${port}' }
      vim.list_extend(args, opts.args)
      on_config({
        type = 'server',
        host = '127.0.0.1',
        port = '${port}',
        executable = { command = python, args = args, cwd = opts.cwd },
        options = options,
      })
    else
      on_config({
        type = 'executable',
        command = python,
        args = vim.list_extend({ '-m', 'dap_server' }, opts.args),
        options = options,
      })
    end
  end
end

local function is_core_name(name)
  local base = vim.fn.fnamemodify(name, ':t')
  return base == 'core' or base:match('^core[.-]') ~= nil or base:match('%.core$') ~= nil
end

--- Prompts for the core dump with file completion; dap.ABORT when left empty.
function M.pick_core_file()
  local default = vim.fn.getcwd() .. '/'
  for name, kind in vim.fs.dir(vim.fn.getcwd()) do
    if kind == 'file' and is_core_name(name) then
      default = default .. name
      break
    end
  end
  local path = vim.fn.input({ prompt = 'Core dump: ', default = default, completion = 'file' })
  if path == nil or vim.trim(path) == '' or vim.fn.isdirectory(path) == 1 then
    return require('dap').ABORT
  end
  return vim.fn.fnamemodify(vim.fn.expand(vim.trim(path)), ':p')
end

--- Picks the executable that produced the core among the executables under the cwd.
function M.pick_program()
  return require('dap.utils').pick_file({ executables = true })
end

local function process_label(proc)
  return string.format('%s  pid %d · %s  %s', proc.name, proc.pid, proc.go_version, table.concat(proc.command_line, ' '))
end

--- Lists the Go processes (`python -m dap_server processes --json`) and asks which one to attach
--- to; its pid, or dap.ABORT when there is none or the choice is dismissed.
---@param opts? godap.Options
function M.pick_process(opts)
  opts = vim.tbl_deep_extend('force', M.defaults, opts or {})
  local dap = require('dap')
  local listing = vim.system({ resolve_python(opts.python), '-m', 'dap_server', 'processes', '--json' },
    { text = true, cwd = opts.cwd }):wait(20000)
  local ok, procs = pcall(vim.json.decode, listing.stdout or '')
  if listing.code ~= 0 or not ok or type(procs) ~= 'table' then
    local why = vim.trim(listing.stderr or '') ~= '' and vim.trim(listing.stderr) or ('exit code ' .. listing.code)
    vim.notify('godap: cannot list the Go processes: ' .. why, vim.log.levels.ERROR)
    return dap.ABORT
  end
  if #procs == 0 then
    vim.notify('godap: no Go process to attach to (processes of other users need root or CAP_SYS_PTRACE)',
      vim.log.levels.WARN)
    return dap.ABORT
  end
  -- nvim-dap evaluates configuration functions in a coroutine: pick_one then waits for vim.ui.select.
  local co, ismain = coroutine.running()
  local ui = require('dap.ui')
  local pick = (co and not ismain) and ui.pick_one or ui.pick_one_sync
  local choice = pick(procs, 'Go process: ', process_label)
  return choice and choice.pid or dap.ABORT
end

--- The configurations appended to dap.configurations.go.
---@param opts? godap.Options
function M.configurations(opts)
  opts = vim.tbl_deep_extend('force', M.defaults, opts or {})
  local base = {
    type = opts.adapter_name,
    request = 'launch',
    mode = 'core',
    program = M.pick_program,
    coreFilePath = M.pick_core_file,
  }
  return {
    vim.tbl_extend('force', base, opts.launch_defaults, { name = 'Open core dump (godap)' }),
    vim.tbl_extend('force', base, opts.launch_defaults, {
      name = 'Open core dump, grouped goroutines (godap)',
      groupGoroutines = true,
      hideSystemGoroutines = true,
    }),
    vim.tbl_extend('force', {
      type = opts.adapter_name,
      request = 'attach',
      mode = 'local',
      processId = function() return M.pick_process(opts) end,
    }, opts.launch_defaults, { name = 'Attach to Go process (godap)' }),
  }
end

--- Starts a session on `core` with `program` (prompts for what is missing).
function M.open_core(core, program, extra)
  local dap = require('dap')
  local name = M.options and M.options.adapter_name or M.defaults.adapter_name
  local config = vim.tbl_extend('force', {
    type = name,
    request = 'launch',
    name = 'Core dump (godap)',
    mode = 'core',
    coreFilePath = (core and core ~= '') and vim.fn.fnamemodify(core, ':p') or M.pick_core_file,
    program = (program and program ~= '') and vim.fn.fnamemodify(program, ':p') or M.pick_program,
  }, M.options and M.options.launch_defaults or {}, extra or {})
  dap.run(config)
end

---@param opts? godap.Options
function M.setup(opts)
  opts = vim.tbl_deep_extend('force', M.defaults, opts or {})
  M.options = opts
  local dap = require('dap')
  dap.adapters[opts.adapter_name] = M.adapter(opts)
  -- godap sends a single `stopped` event (allThreadsStopped) for a core or a stopped process;
  -- never let nvim-dap answer it with `continue` (a core cannot run, a process would run on).
  dap.defaults[opts.adapter_name].auto_continue_if_many_stopped = false

  for _, ft in ipairs(opts.filetypes or {}) do
    dap.configurations[ft] = dap.configurations[ft] or {}
    local present = {}
    for _, c in ipairs(dap.configurations[ft]) do
      present[c.name] = true
    end
    for _, c in ipairs(M.configurations(opts)) do
      if not present[c.name] then -- setup() may run twice
        table.insert(dap.configurations[ft], c)
      end
    end
  end

  if opts.user_command then
    vim.api.nvim_create_user_command('GodapOpenCore', function(cmd)
      M.open_core(cmd.fargs[1], cmd.fargs[2])
    end, { nargs = '*', complete = 'file', desc = 'godap: open a Go core dump [core] [program]' })
  end
end

return M
