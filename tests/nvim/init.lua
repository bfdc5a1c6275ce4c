-- Drives Neovim 0.11 against the schema-lint language server, headless:
--   nvim --headless --clean -u init.lua
-- with SCHEMA_LINT_ROOT (a copy of the fixture project), SCHEMA_LINT_CMD (the server
-- command, as JSON) and SCHEMA_LINT_NVIM_LOG (where to write what happened).
-- Exits 0 when every step worked, 1 with the reason in the log otherwise.

local root = vim.env.SCHEMA_LINT_ROOT
local cmd_json = vim.env.SCHEMA_LINT_CMD
local log_path = vim.env.SCHEMA_LINT_NVIM_LOG
if not (root and cmd_json and log_path) then
  io.stderr:write('set SCHEMA_LINT_ROOT, SCHEMA_LINT_CMD and SCHEMA_LINT_NVIM_LOG\n')
  vim.cmd('cquit 2')
end
local cmd = vim.json.decode(cmd_json)
local TIMEOUT = tonumber(vim.env.SCHEMA_LINT_NVIM_TIMEOUT or '60000')

local lines = {}
local function log(...)
  local parts = {}
  for _, value in ipairs({ ... }) do
    parts[#parts + 1] = type(value) == 'string' and value or vim.inspect(value)
  end
  lines[#lines + 1] = table.concat(parts, ' ')
  vim.fn.writefile(lines, log_path)
end

local function finish(status, message)
  log(status == 0 and 'OK' or ('FAILED: ' .. message))
  vim.cmd(status == 0 and 'qall!' or ('cquit ' .. status))
end

-- The set-up docs/neovim.md documents: lsp/schema_lint.lua on the runtimepath, enabled with
-- vim.lsp.enable. Only the command differs (this interpreter, which has schema_lint), and
-- fixTitleMs waits for fixes however loaded the machine is (isPreferred needs them).
vim.opt.runtimepath:prepend(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h'))
vim.lsp.config('schema_lint', {
  cmd = cmd,
  init_options = { debounceMs = 50, fixTitleMs = 60000 },
})
vim.lsp.enable('schema_lint')

local function ours(bufnr, pattern)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'schema-lint' and (pattern == nil or d.message:find(pattern, 1, true)) then
      found[#found + 1] = d
    end
  end
  return found
end

local function wait(what, condition)
  if not vim.wait(TIMEOUT, condition, 20) then
    error('timed out waiting for ' .. what, 0)
  end
end

local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end

local function apply_action_at(bufnr, diagnostic, filter, expect, what)
  vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })
  vim.lsp.buf.code_action({ apply = true, filter = filter })
  wait(what, function()
    return buffer_text(bufnr):find(expect, 1, true) ~= nil
  end)
end

local function run()
  vim.cmd.edit(vim.fn.fnameescape(root .. '/app/models.py'))
  local bufnr = vim.api.nvim_get_current_buf()
  wait('the client to attach', function()
    return #vim.lsp.get_clients({ bufnr = bufnr, name = 'schema_lint' }) > 0
  end)
  local client = vim.lsp.get_clients({ bufnr = bufnr, name = 'schema_lint' })[1]
  log('attached; offset encoding', client.offset_encoding)
  log('root', client.config.root_dir, 'filetypes', client.config.filetypes)

  -- 1. The findings appear.
  wait('three findings', function()
    return #ours(bufnr) == 3
  end)
  for _, d in ipairs(ours(bufnr)) do
    log('finding', d.code, d.lnum + 1, d.col, d.message)
  end

  -- 2. The safe fix of the index on a line with non-ASCII text before the finding.
  local slug = ours(bufnr, 'ix_labels_slug')[1]
  assert(slug, 'no finding for ix_labels_slug')
  local line = vim.api.nvim_buf_get_lines(bufnr, slug.lnum, slug.lnum + 1, false)[1]
  local expected_col = line:find('Column("slug"', 1, true) - 1 -- bytes, as Neovim counts
  if slug.col ~= expected_col then
    error(('finding at column %d, expected %d'):format(slug.col, expected_col), 0)
  end
  apply_action_at(bufnr, slug, function(action)
    return action.isPreferred == true
  end, 'nullable=False, index=True', 'the fix to be applied')

  -- 3. "Ignore SL001 for this line".
  local junction = ours(bufnr, 'user_roles')[1]
  assert(junction, 'no finding for user_roles')
  apply_action_at(bufnr, junction, function(action)
    return action.title == 'Ignore SL001 for this line'
  end, '"user_roles"  # noqa: SL001', 'the noqa comment')

  -- 4. Write: the diagnostics go away.
  vim.cmd.write()
  wait('the fixed findings to go away', function()
    return #ours(bufnr, 'ix_labels_slug') == 0 and #ours(bufnr, 'user_roles') == 0
  end)
  wait('the remaining finding', function()
    return #ours(bufnr) == 1
  end)
  log('remaining', ours(bufnr)[1].message)
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok, err = pcall(run)
      if ok then
        finish(0)
      else
        finish(1, tostring(err))
      end
    end)
  end,
})
