import type { ReactNode } from 'react';
import { Link, useRouter } from '../router.tsx';

export function NavLink({
  to,
  children,
  exact = false,
  except,
  className,
}: {
  to: string;
  children: ReactNode;
  exact?: boolean;
  except?: string;
  className?: string;
}) {
  const { path } = useRouter();
  const inside = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  const active = exact ? path === to : inside(to) && !(except !== undefined && inside(except));
  return (
    <Link
      to={to}
      className={`${active ? 'nav-link nav-link-on' : 'nav-link'}${className ? ` ${className}` : ''}`}
      aria-current={active ? 'page' : undefined}
    >
      {children}
    </Link>
  );
}
