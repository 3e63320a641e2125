"""TEMPORARY (issue 22): the old ``Store`` method names, each handing on to its repository,
while callers move to ``store.<repository>.<method>``; removed group by group."""


class TransitionalNames:
    # -- profiles
    def profile(self, *args, **kwargs):
        return self._profiles.get(*args, **kwargs)

    def profiles(self, *args, **kwargs):
        return self._profiles.all(*args, **kwargs)

    # -- settings
    def active_encoder(self, *args, **kwargs):
        return self.settings.active_encoder(*args, **kwargs)

    def set_active_encoder(self, *args, **kwargs):
        return self.settings.set_active_encoder(*args, **kwargs)

    def setting(self, *args, **kwargs):
        return self.settings.get(*args, **kwargs)

    def set_setting(self, *args, **kwargs):
        return self.settings.set(*args, **kwargs)

    # -- photos
    def add_folder(self, *args, **kwargs):
        return self.photos.add_folder(*args, **kwargs)

    def folders(self, *args, **kwargs):
        return self.photos.folders(*args, **kwargs)

    def photo_by_path(self, *args, **kwargs):
        return self.photos.by_path(*args, **kwargs)

    def photo(self, *args, **kwargs):
        return self.photos.get(*args, **kwargs)

    def photos_with_hash(self, *args, **kwargs):
        return self.photos.with_hash(*args, **kwargs)

    def scan_index(self, *args, **kwargs):
        return self.photos.scan_index(*args, **kwargs)

    def save_photo(self, *args, **kwargs):
        return self.photos.save(*args, **kwargs)

    def set_photo_status(self, *args, **kwargs):
        return self.photos.set_status(*args, **kwargs)

    def mark_without_pixels(self, *args, **kwargs):
        return self.photos.mark_without_pixels(*args, **kwargs)

    def mark_missing(self, *args, **kwargs):
        return self.photos.mark_missing(*args, **kwargs)

    def photo_folders(self, *args, **kwargs):
        return self.photos.folder_counts(*args, **kwargs)

    def ratings_and_labels(self, *args, **kwargs):
        return self.photos.ratings_and_labels(*args, **kwargs)

    def months(self, *args, **kwargs):
        return self.photos.months(*args, **kwargs)

    def list_photos(self, *args, **kwargs):
        return self.photos.list_photos(*args, **kwargs)

    def grid_rows(self, *args, **kwargs):
        return self.photos.grid_rows(*args, **kwargs)

    def absorb_photo(self, *args, **kwargs):
        return self.photos.absorb(*args, **kwargs)

    def readable_photo_rows(self, *args, **kwargs):
        return self.photos.readable_rows(*args, **kwargs)

    def embedded_tagged_photos(self, *args, **kwargs):
        return self.photos.tagged_with_embedding(*args, **kwargs)

    # -- tagging
    def add_tags(self, *args, **kwargs):
        return self.tagging.add_tags(*args, **kwargs)

    def remove_tags(self, *args, **kwargs):
        return self.tagging.remove_tags(*args, **kwargs)

    def reject_tags(self, *args, **kwargs):
        return self.tagging.reject_tags(*args, **kwargs)

    def tag_state(self, *args, **kwargs):
        return self.tagging.tag_state(*args, **kwargs)

    def restore_tag_state(self, *args, **kwargs):
        return self.tagging.restore_tag_state(*args, **kwargs)

    def import_file_keywords(self, *args, **kwargs):
        return self.tagging.import_file_keywords(*args, **kwargs)

    # -- sync
    def sync_state(self, *args, **kwargs):
        return self.sync.state(*args, **kwargs)

    def apply_sync_plan(self, *args, **kwargs):
        return self.sync.apply_plan(*args, **kwargs)

    def set_base_keywords(self, *args, **kwargs):
        return self.sync.set_base_keywords(*args, **kwargs)

    def set_file_bases(self, *args, **kwargs):
        return self.sync.set_file_bases(*args, **kwargs)

    def set_file_base(self, *args, **kwargs):
        return self.sync.set_file_base(*args, **kwargs)

    def mark_removals_written(self, *args, **kwargs):
        return self.sync.mark_removals_written(*args, **kwargs)

    def mark_removals_pending(self, *args, **kwargs):
        return self.sync.mark_removals_pending(*args, **kwargs)

    def removal_history(self, *args, **kwargs):
        return self.sync.removal_history(*args, **kwargs)

    def file_keywords(self, *args, **kwargs):
        return self.sync.file_keywords(*args, **kwargs)

    # -- exports
    def export_backup_dir(self, *args, **kwargs):
        return self.exports.backup_dir(*args, **kwargs)

    def start_export_run(self, *args, **kwargs):
        return self.exports.start_run(*args, **kwargs)

    def record_exported_file(self, *args, **kwargs):
        return self.exports.record_file(*args, **kwargs)

    def has_exported_file(self, *args, **kwargs):
        return self.exports.has_file(*args, **kwargs)

    def export_runs(self, *args, **kwargs):
        return self.exports.runs(*args, **kwargs)

    def exported_files(self, *args, **kwargs):
        return self.exports.files(*args, **kwargs)

    def mark_file_undoing(self, *args, **kwargs):
        return self.exports.mark_file_undoing(*args, **kwargs)

    def mark_export_undone(self, *args, **kwargs):
        return self.exports.mark_run_undone(*args, **kwargs)

    # -- aliases
    def aliases(self, *args, **kwargs):
        return self._aliases.of(*args, **kwargs)

    def canonical_names(self, *args, **kwargs):
        return self._aliases.canonical_names(*args, **kwargs)

    def fold_aliases(self, *args, **kwargs):
        return self._aliases.fold(*args, **kwargs)

    # -- keywords
    def keyword_subtree(self, *args, **kwargs):
        return self.keywords.subtree(*args, **kwargs)

    def keyword_edits(self, *args, **kwargs):
        return self.keywords.edits(*args, **kwargs)

    def rename_keyword(self, *args, **kwargs):
        return self.keywords.rename(*args, **kwargs)

    def merge_keywords(self, *args, **kwargs):
        return self.keywords.merge(*args, **kwargs)

    def delete_keyword(self, *args, **kwargs):
        return self.keywords.delete(*args, **kwargs)

    def add_aliases(self, *args, **kwargs):
        return self.keywords.add_aliases(*args, **kwargs)

    def undo_keyword_edit(self, *args, **kwargs):
        return self.keywords.undo_edit(*args, **kwargs)
