// Vue users: `import 'relay-widgets/vue'` types the tags in templates (GlobalComponents), as vue-tsc sees them.
import type { GlobalComponents } from 'vue';
import type {} from 'relay-widgets/vue';
import type { RelayPlayerProps } from 'relay-widgets/vue';
import 'relay-widgets/define';

type PlayerComponent = GlobalComponents['relay-player'];
type PlayerPropsSeenByVue = InstanceType<PlayerComponent>['$props'];

export const ok: PlayerPropsSeenByVue = { src: 'https://example.com/live/demo.flv', muted: true };
export const alsoOk: RelayPlayerProps = { sources: [{ url: 'https://example.com/live/demo.m3u8' }] };
// @ts-expect-error: `muted` is a boolean
export const wrong: PlayerPropsSeenByVue = { muted: 'yes' };
export const push: InstanceType<GlobalComponents['live-push-controls']>['$props'] = { streamId: 'demo' };
