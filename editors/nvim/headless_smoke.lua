-- headless_smoke.lua: drive the godap server through nvim-dap with no UI, on a real core or a
-- running Go process.
--
--   XDG_STATE_HOME=$(mktemp -d) \
--   NVIM_DAP_PATH=/path/to/nvim-dap GODAP_TEST_EXE=./app GODAP_TEST_CORE=./core \
--     nvim --headless --clean -l editors/nvim/headless_smoke.lua
--
-- Environment:
--   NVIM_DAP_PATH      checkout of mfussenegger/nvim-dap (required)
--   GODAP_TEST_EXE     the Go executable (with GODAP_TEST_CORE)
--   GODAP_TEST_CORE    its core dump
--   GODAP_TEST_PID     instead of the two above: attach to this Go process through the
--                      "Attach to Go process (godap)" configuration, whose picker (godap
--                      processes) must offer it; the session ends with a disconnect (a detach)
--   GODAP_PYTHON       interpreter for `-m dap_server` (default python3)
--   GODAP_SERVER_CWD   where the server runs (default: the repository root, two levels up)
--   GODAP_TRANSPORT    'stdio' (default) or 'tcp' (server started with --listen)
--   GODAP_SMOKE_TIMEOUT_MS  per step (default 60000)
--   GODAP_SMOKE_LOG    set to write nvim-dap's TRACE log (stdpath('log')/dap.log)
--
-- Prints one fact per line (`stopped: …`, `threads: N`, `frame: <name> <line>`, `scopes: N`,
-- `scope: <name> <ref>`, `variables: N`, `var: <name> = <value>`, `stopped events: N`,
-- `continue requests: N`, `terminated: true` or `disconnected: true`) and ends with `result: ok` (exit 0) or
-- `error: <what>` lines and `result: failed` (exit 1).

local function out(line)
  io.stdout:write(line, '\n')
  io.stdout:flush()
end

-- nvim-dap's notifications ("Session terminated", …) go to stderr, one per line, so that stdout
-- holds only the lines above even when both streams are merged.
vim.notify = function(msg, level)
  io.stderr:write(string.format('notify[%s]: %s\n', tostring(level or ''), tostring(msg)))
end

local failures = 0
local function fail(what)
  failures = failures + 1
  out('error: ' .. what)
end

local function finish()
  -- Do not leave the adapter running (nvim-dap starts it detached) when a step failed.
  local ok_dap, dap_mod = pcall(require, 'dap')
  if ok_dap and dap_mod.session() ~= nil then
    local ended = false
    dap_mod.terminate({ on_done = function() ended = true end })
    vim.wait(8000, function() return ended end, 50)
    vim.wait(300, function() return false end, 50)
  end
  out(failures == 0 and 'result: ok' or 'result: failed')
  vim.cmd((failures == 0 and 'qall!') or 'cquit! 1')
end

local script_dir = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local dap_path = os.getenv('NVIM_DAP_PATH')
local exe = os.getenv('GODAP_TEST_EXE')
local core = os.getenv('GODAP_TEST_CORE')
local pid = tonumber(os.getenv('GODAP_TEST_PID') or '')
if not dap_path or dap_path == '' or not (pid or (exe and exe ~= '' and core and core ~= '')) then
  fail('NVIM_DAP_PATH, and GODAP_TEST_EXE and GODAP_TEST_CORE or GODAP_TEST_PID, must be set')
  finish()
  return
end
local python = os.getenv('GODAP_PYTHON') or 'python3'
local server_cwd = os.getenv('GODAP_SERVER_CWD') or vim.fn.fnamemodify(script_dir, ':h:h')
local timeout = tonumber(os.getenv('GODAP_SMOKE_TIMEOUT_MS') or '') or 60000

vim.opt.rtp:prepend(dap_path)
package.path = script_dir .. '/?.lua;' .. package.path

local dap = require('dap')
if os.getenv('GODAP_SMOKE_LOG') then
  dap.set_log_level('TRACE')
  out('log: ' .. vim.fn.stdpath('log') .. '/dap.log')
end

local godap = require('godap')
godap.setup({
  python = python,
  cwd = server_cwd,
  transport = os.getenv('GODAP_TRANSPORT') or 'stdio',
  filetypes = false,
  user_command = false,
})

local state = { stopped = nil, stopped_count = 0, continues = 0, initialized = false, terminated = false }
dap.listeners.after.event_initialized['godap-smoke'] = function()
  state.initialized = true
end
dap.listeners.after.event_stopped['godap-smoke'] = function(_, body)
  state.stopped_count = state.stopped_count + 1
  state.stopped = state.stopped or body
end
dap.listeners.before['continue']['godap-smoke'] = function()
  state.continues = state.continues + 1
end
dap.listeners.after.event_terminated['godap-smoke'] = function()
  state.terminated = true
end

if pid then
  -- The picker's list goes through vim.ui.select: choose the process under test, print the offer.
  vim.ui.select = function(items, opts, on_choice)
    local chosen
    for _, item in ipairs(items) do
      if item.pid == pid then
        chosen = item
        out('picker: ' .. opts.format_item(item))
      end
    end
    on_choice(chosen)
  end
  local attach = vim.tbl_filter(function(c) return c.request == 'attach' end, godap.configurations(godap.options))[1]
  dap.run(attach)
else
  dap.run({
    type = 'godap',
    request = 'launch',
    name = 'godap headless smoke',
    mode = 'core',
    program = vim.fn.fnamemodify(exe, ':p'),
    coreFilePath = vim.fn.fnamemodify(core, ':p'),
  })
end

if not vim.wait(timeout, function() return state.stopped ~= nil end, 50) then
  fail(string.format('no stopped event within %d ms (initialized: %s)', timeout, tostring(state.initialized)))
  finish()
  return
end
local stopped = state.stopped
out(string.format('stopped: reason=%s threadId=%s allThreadsStopped=%s',
  tostring(stopped.reason), tostring(stopped.threadId), tostring(stopped.allThreadsStopped)))
if stopped.allThreadsStopped ~= true then
  fail('stopped event without allThreadsStopped=true')
end

local session = assert(dap.session(), 'a session after the stopped event')

--- Sends one request and waits for its answer: returns response or nil (after reporting).
local function request(command, args)
  local done, err, response = false, nil, nil
  session:request(command, args, function(e, r)
    done, err, response = true, e, r
  end)
  if not vim.wait(timeout, function() return done end, 20) then
    fail(command .. ': no response within ' .. timeout .. ' ms')
    return nil
  end
  if err then
    fail(command .. ': ' .. tostring(err.message or vim.inspect(err)))
    return nil
  end
  return response
end

local threads = request('threads', nil)
if threads then
  out('threads: ' .. #threads.threads)
  if #threads.threads == 0 then
    fail('threads: empty')
  end
end

local frames = {}
local trace = stopped.threadId and request('stackTrace', { threadId = stopped.threadId, startFrame = 0, levels = 20 })
if trace then
  frames = trace.stackFrames or {}
  for _, frame in ipairs(frames) do
    out(string.format('frame: %s %s', frame.name, tostring(frame.line)))
  end
  if #frames == 0 then
    fail('stackTrace: no frames')
  end
end

if frames[1] then
  local scopes = request('scopes', { frameId = frames[1].id })
  if scopes then
    out('scopes: ' .. #scopes.scopes)
    local first
    for _, scope in ipairs(scopes.scopes) do
      out(string.format('scope: %s %d', scope.name, scope.variablesReference))
      if not first and scope.variablesReference > 0 then
        first = scope
      end
    end
    if first then
      local vars = request('variables', { variablesReference = first.variablesReference })
      if vars then
        out('variables: ' .. #vars.variables)
        for i, var in ipairs(vars.variables) do
          if i > 20 then
            break
          end
          out(string.format('var: %s = %s', var.name, (var.value or ''):gsub('\n', ' ')))
        end
      end
    end
  end
end

-- A second stopped event would make nvim-dap resume a goroutine (auto_continue_if_many_stopped).
vim.wait(300, function() return false end, 50)
out('stopped events: ' .. state.stopped_count)
out('continue requests: ' .. state.continues)
if state.stopped_count ~= 1 then
  fail('expected exactly one stopped event, got ' .. state.stopped_count)
end

local ended = false
if pid then
  dap.disconnect(nil, function() ended = true end) -- :DapDisconnect: detach, the process runs on
else
  dap.terminate({ on_done = function() ended = true end })
end
if not vim.wait(timeout, function() return ended and dap.session() == nil end, 50) then
  fail('the session did not end after ' .. (pid and 'disconnect' or 'terminate'))
end
out(pid and 'disconnected: true' or 'terminated: true')
finish()
