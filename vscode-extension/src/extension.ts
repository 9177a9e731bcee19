import * as vscode from 'vscode';
import { defaultOpenCoreDumpDeps, openCoreDump } from './commands';
import { COMMANDS, DEBUG_TYPE } from './constants';
import { showDebugViewOnStart } from './debugView';
import { GodapAdapterFactory, type LaunchDeps } from './factory';
import { coreFileFromCommandArgument, pickCoreFile, pickProgram, windowPickerUi } from './pickers';
import { configurationFromCommandArgument, pickGoProcess } from './processPicker';
import { defaultProviderExtras, GodapConfigurationProvider, GodapDynamicConfigurationProvider } from './provider';
import { activeInterpreterFromPythonExtension } from './pythonExtension';
import { ServerCheckCache, showMissingServer } from './serverCheck';
import { readSettings } from './settings';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('godap');
  const launchDeps: LaunchDeps = {
    settings: readSettings,
    pythonFromExtension: (resource) => activeInterpreterFromPythonExtension(resource),
    checks: new ServerCheckCache(),
    showMissingServer,
    log: (message) => { output.appendLine(message); },
  };
  const providerDeps = { ...launchDeps, ...defaultProviderExtras() };
  const openDialog = providerDeps.openDialog;

  context.subscriptions.push(
    output,
    showDebugViewOnStart(),
    vscode.commands.registerCommand(COMMANDS.openCoreDump, (uri?: unknown) => openCoreDump(defaultOpenCoreDumpDeps(), uri)),
    vscode.commands.registerCommand(COMMANDS.pickCoreFile, () => pickCoreFile(openDialog)),
    vscode.commands.registerCommand(COMMANDS.pickProgram, (config?: unknown) =>
      pickProgram(windowPickerUi(openDialog, providerDeps.showError), coreFileFromCommandArgument(config))),
    vscode.commands.registerCommand(COMMANDS.pickGoProcess, (config?: unknown) =>
      pickGoProcess(vscode.workspace.workspaceFolders?.[0], configurationFromCommandArgument(config), providerDeps)),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      new GodapConfigurationProvider(providerDeps),
    ),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      new GodapDynamicConfigurationProvider(),
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new GodapAdapterFactory(launchDeps)),
  );
}

export function deactivate(): void {
  // Everything registered in activate() is disposed through context.subscriptions.
}
