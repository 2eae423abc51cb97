/** Users and groups of the admin area: a component per file under people/. */
export { AdminUsers } from './people/users-page.tsx';
export { AdminGroups } from './people/groups-page.tsx';
