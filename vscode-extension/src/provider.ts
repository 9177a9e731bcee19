import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { absolutizePaths, attachPickerConfiguration, debugServerPort, pickerConfiguration, resolveConfiguration } from './config';
import { adapterLaunch, serverProblem, type LaunchDeps } from './factory';
import { pickGoProcess, type PickProcessDeps } from './processPicker';
import { pickCoreFile, pickProgram, windowPickerUi, type OpenDialog } from './pickers';
import { runProcess } from './python';

export interface ProviderDeps extends PickProcessDeps {
  readonly openDialog: OpenDialog;
  readonly exists: (file: string) => boolean;
}

export function defaultProviderExtras(): Omit<ProviderDeps, keyof LaunchDeps> {
  return {
    openDialog: (options) => vscode.window.showOpenDialog(options),
    showError: (message) => { void vscode.window.showErrorMessage(message); },
    exists: (file) => fs.existsSync(file),
    run: runProcess,
    showQuickPick: (items, options) => vscode.window.showQuickPick(items, options),
  };
}

/** Fills in F5-without-launch.json, prompts for what is missing, and refuses a launch the server cannot serve. */
export class GodapConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly deps: ProviderDeps) {}

  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    return resolveConfiguration(config, {
      pickCoreFile: () => pickCoreFile(this.deps.openDialog),
      pickProgram: (coreFile) => pickProgram(windowPickerUi(this.deps.openDialog, this.deps.showError), coreFile),
      pickProcess: () => pickGoProcess(folder, config, this.deps),
      showError: this.deps.showError,
      defaultLogFile: this.deps.settings(folder).logFile,
    });
  }

  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    input: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    const config = absolutizePaths(input, folder?.uri.fsPath);
    let port: number | undefined;
    try {
      port = debugServerPort(config);
    } catch (error) {
      this.deps.showError(error instanceof Error ? error.message : String(error));
      return undefined;
    }
    if (port !== undefined) {
      return config;
    }
    for (const [key, what] of [['coreFilePath', 'Core dump'], ['program', 'Executable']] as const) {
      const file = config[key];
      if (typeof file === 'string' && !this.deps.exists(file)) {
        this.deps.showError(`godap: ${what} not found: ${file}`);
        return undefined;
      }
    }
    const launch = await adapterLaunch(folder, config, this.deps);
    return (await serverProblem(launch, this.deps)) === undefined ? config : undefined;
  }
}

/** Offers "Open core dump…" and "Attach to Go process…" under "Show all automatic debug configurations". */
export class GodapDynamicConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [pickerConfiguration(), attachPickerConfiguration()];
  }
}
