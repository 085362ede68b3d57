import { render } from 'preact';
import { QuickSearch } from '../../features/search/QuickSearch';
import { startPage } from '../../features/app-shell/start-page';
import '../../ui/base.css';
import '../../ui/app.css';

void startPage().then(() => render(<QuickSearch />, document.getElementById('root')!));
