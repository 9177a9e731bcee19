import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { absolutizePaths, debugServerPort, pickerConfiguration, resolveConfiguration, type GodapConfiguration } from './config';
import { adapterLaunch, serverProblem, type LaunchDeps } from './factory';
import { pickCoreFile, pickProgram, type OpenDialog } from './pickers';

export interface ProviderDeps extends LaunchDeps {
  readonly openDialog: OpenDialog;
  readonly showError: (message: string) => void;
  readonly exists: (file: string) => boolean;
}

export function defaultProviderExtras(): Pick<ProviderDeps, 'openDialog' | 'showError' | 'exists'> {
  return {
    openDialog: (options) => vscode.window.showOpenDialog(options),
    showError: (message) => { void vscode.window.showErrorMessage(message); },
    exists: (file) => fs.existsSync(file),
  };
}

/** Fills in F5-without-launch.json, prompts for missing paths, and refuses a launch the server cannot serve. */
export class GodapConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly deps: ProviderDeps) {}

  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    return resolveConfiguration(config, {
      pickCoreFile: () => pickCoreFile(this.deps.openDialog),
      pickProgram: (coreFile) => pickProgram(this.deps.openDialog, coreFile),
      showError: this.deps.showError,
      defaultLogFile: this.deps.settings(folder).logFile,
    });
  }

  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    input: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    let config = input as GodapConfiguration;
    let port: number | undefined;
    try {
      port = debugServerPort(config);
    } catch (error) {
      this.deps.showError(error instanceof Error ? error.message : String(error));
      return undefined;
    }
    if (config.request === 'launch') {
      config = absolutizePaths(config, folder?.uri.fsPath);
      if (port === undefined) {
        for (const [key, what] of [['coreFilePath', 'Core dump'], ['program', 'Executable']] as const) {
          const file = config[key];
          if (typeof file === 'string' && !this.deps.exists(file)) {
            this.deps.showError(`godap: ${what} not found: ${file}`);
            return undefined;
          }
        }
      }
    }
    if (port !== undefined) {
      return config;
    }
    const launch = await adapterLaunch(folder, config, this.deps);
    return (await serverProblem(launch, this.deps)) === undefined ? config : undefined;
  }
}

/** Offers "Open core dump…" under "Show all automatic debug configurations". */
export class GodapDynamicConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [pickerConfiguration()];
  }
}
