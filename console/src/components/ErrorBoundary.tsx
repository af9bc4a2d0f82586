import { Component, type ErrorInfo, type ReactNode } from 'react';

/** The last line of defence: a render error shows a message and a way out instead of a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('The console failed to render', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <main className="loading-page">
        <h1>Tierstate console</h1>
        <p role="alert" className="alert">Something went wrong in the console: {this.state.error.message}</p>
        <button type="button" className="button" onClick={() => window.location.reload()}>Reload the page</button>
      </main>
    );
  }
}
