import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), '
  + 'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

interface DialogProps {
  title: string;
  onClose(): void;
  children: ReactNode;
  /** A short text under the title, read with it (aria-describedby). */
  description?: ReactNode;
}

/**
 * A modal dialog: `role="dialog"`, `aria-modal`, named by its heading; focus moves into it, Tab
 * and Shift+Tab stay inside, Escape closes, and focus returns where it was. The page behind is
 * inert while it is open.
 */
export function Dialog({ title, onClose, children, description }: DialogProps) {
  const titleId = useId();
  const descriptionId = useId();
  const panel = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const app = document.getElementById('root');
    app?.setAttribute('inert', '');
    const node = panel.current;
    const first = node?.querySelector<HTMLElement>('[data-autofocus]') ?? node?.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? node)?.focus();
    return () => {
      app?.removeAttribute('inert');
      opener?.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      closeRef.current();
      return;
    }
    if (event.key !== 'Tab' || !panel.current) return;
    const focusable = Array.from(panel.current.querySelectorAll<HTMLElement>(FOCUSABLE));
    if (focusable.length === 0) {
      event.preventDefault();
      return;
    }
    const first = focusable[0]!;
    const last = focusable[focusable.length - 1]!;
    if (event.shiftKey && (document.activeElement === first || document.activeElement === panel.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div className="dialog-backdrop">
      <div
        ref={panel}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descriptionId : undefined}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId} className="dialog-title">{title}</h2>
        {description ? <div id={descriptionId} className="dialog-description">{description}</div> : null}
        {children}
      </div>
    </div>,
    document.body,
  );
}

/** Cancel and the submit button of a dialog's form, with a status that says when it is saving. */
export function DialogButtons({ submitLabel, pending, onCancel, danger }: {
  submitLabel: string; pending: boolean; onCancel(): void; danger?: boolean;
}) {
  return (
    <div className="dialog-buttons">
      <p role="status" className="muted">{pending ? 'Saving…' : ''}</p>
      <button type="button" className="button" onClick={onCancel}>Cancel</button>
      <button type="submit" className={danger ? 'button button-danger' : 'button button-primary'} aria-disabled={pending}>
        {submitLabel}
      </button>
    </div>
  );
}
