import { RouterProvider } from './router.tsx';
import { App } from './app.tsx';

export function Root() {
  return (
    <RouterProvider>
      <App />
    </RouterProvider>
  );
}
