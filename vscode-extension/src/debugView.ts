import * as vscode from 'vscode';
import { DEBUG_TYPE } from './constants';

/**
 * Shows the Run and Debug view when a godap session starts. VS Code opens it by itself only when
 * a breakpoint is hit, and a core stops on an exception the user would not see otherwise.
 */
export function showDebugViewOnStart(): vscode.Disposable {
  return vscode.debug.onDidStartDebugSession((session) => {
    if (session.type === DEBUG_TYPE) {
      void vscode.commands.executeCommand('workbench.view.debug');
    }
  });
}
